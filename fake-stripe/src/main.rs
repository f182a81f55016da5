//! Runs the fake on FAKE_STRIPE_ADDR (default 127.0.0.1:12111) with one test account, for manual
//! use: point a Stripe client at the printed URL with the printed key.

use fake_stripe::FakeStripe;

fn main() {
    let addr = std::env::var("FAKE_STRIPE_ADDR").unwrap_or_else(|_| "127.0.0.1:12111".to_owned());
    let fake = match FakeStripe::start_on(&addr) {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("fake-stripe: cannot listen on {addr}: {e}");
            std::process::exit(1);
        }
    };
    let account = fake.create_account(false);
    println!("fake-stripe listening on {}", fake.base_url());
    println!("account:    {}", account.id);
    println!("secret key: {}", account.secret_key);
    // The server runs on its own thread; keep the process alive until it is killed.
    loop {
        std::thread::park();
    }
}
