// Migrations are embedded in the binary (`embed_migrations!`): rebuild when one is added.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
