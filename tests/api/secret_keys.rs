use diesel::prelude::*;
use serde_json::json;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn a_new_key_is_shown_once_works_in_its_mode_and_is_stored_only_as_a_hash() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let res = app.post("/v1/secret-keys", &t.token, json!({"name": "production server", "mode": "live"})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let key = res.body["key"].as_str().unwrap().to_string();
    let id = res.body["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("skey_"));
    assert!(key.starts_with("sk_live_") && key.len() == 40);
    assert_eq!(res.body["prefix"].as_str().unwrap(), &key[..12]);

    assert_eq!(app.get("/v1/tenant", &key).await.body["mode"], "live");

    let list = app.get("/v1/secret-keys", &t.token).await;
    assert_eq!(list.status, 200);
    let items = list.body["data"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["id"], id.as_str(), "newest first");
    assert!(items.iter().all(|k| k.get("key").is_none()), "keys are never listed");
    assert!(!list.text.contains(&key));

    // Only the SHA-256 of the key is stored.
    use tollgate::schema::secret_keys::dsl as sk;
    let mut conn = app.db();
    let rows: Vec<(String, Vec<u8>)> = sk::secret_keys.select((sk::prefix, sk::key_hash)).load(&mut conn).unwrap();
    assert!(rows.iter().all(|(prefix, _)| prefix.len() == 12));
    assert!(rows.iter().any(|(_, hash)| hash[..] == tollgate::crypto::sha256(key.as_bytes())));
    let dump: String = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
        "(SELECT string_agg(t::text, ',') FROM secret_keys t)",
    ))
    .get_result(&mut conn)
    .unwrap();
    assert!(!dump.contains(&key[8..]), "the key's random part is nowhere in the table");
}

#[actix_web::test]
async fn revocation_takes_effect_at_once_and_is_idempotent() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let created = app.post("/v1/secret-keys", &t.token, json!({"name": "ci", "mode": "test"})).await;
    let (id, key) = (created.body["id"].as_str().unwrap(), created.body["key"].as_str().unwrap());
    assert_eq!(app.get("/v1/tenant", key).await.status, 200);

    let res = app.delete(&format!("/v1/secret-keys/{id}"), &t.token).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["id"], id);
    let revoked_at = res.body["revoked_at"].clone();
    assert!(revoked_at.is_string());

    let res = app.get("/v1/tenant", key).await;
    assert_eq!((res.status, res.error_code()), (401, "api_key_revoked"));

    let again = app.delete(&format!("/v1/secret-keys/{id}"), &t.token).await;
    assert_eq!((again.status, &again.body["revoked_at"]), (200, &revoked_at));
    let list = app.get("/v1/secret-keys?mode=test", &t.token).await;
    let listed = list.body["data"].as_array().unwrap().iter().find(|k| k["id"] == id).unwrap().clone();
    assert_eq!(listed["revoked_at"], revoked_at);
    assert!(list.body["data"].as_array().unwrap().iter().all(|k| k["mode"] == "test"));
}

#[actix_web::test]
async fn secret_keys_cannot_manage_secret_keys() {
    let app = spawn_app().await;
    let t = app.signup().await;
    let res = app.post("/v1/secret-keys", &t.sk_test, json!({"name": "sneaky", "mode": "live"})).await;
    assert_eq!((res.status, res.error_code()), (403, "user_token_required"));
    let res = app.get("/v1/secret-keys", &t.sk_live).await;
    assert_eq!((res.status, res.error_code()), (403, "user_token_required"));
    assert_eq!(app.get("/v1/secret-keys", &t.token).await.body["data"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn another_tenant_cannot_see_or_revoke_a_key() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let b = app.signup().await;
    let a_keys = app.get("/v1/secret-keys", &a.token).await;
    let a_key_id = a_keys.body["data"][0]["id"].as_str().unwrap().to_string();

    let res = app.delete(&format!("/v1/secret-keys/{a_key_id}"), &b.token).await;
    assert_eq!((res.status, res.error_code()), (404, "resource_missing"));
    let b_list = app.get("/v1/secret-keys", &b.token).await;
    assert!(b_list.body["data"].as_array().unwrap().iter().all(|k| k["id"] != a_key_id.as_str()));

    // A's keys are untouched.
    assert_eq!(app.get("/v1/tenant", &a.sk_live).await.status, 200);
    assert_eq!(app.get("/v1/tenant", &a.sk_test).await.body["id"], a.id.as_str());
    let a_again = app.get("/v1/secret-keys", &a.token).await;
    assert!(a_again.body["data"].as_array().unwrap().iter().all(|k| k["revoked_at"].is_null()));

    // Malformed or unknown ids are 404 too.
    for id in ["nonsense", "skey_", "ten_0352sLHK3ZUKZcolbHJtKm", "skey_0352sLHK3ZUKZcolbHJtKm"] {
        let res = app.delete(&format!("/v1/secret-keys/{id}"), &a.token).await;
        assert_eq!((res.status, res.error_code()), (404, "resource_missing"), "{id}");
    }
}

#[actix_web::test]
async fn pages_are_complete_and_stable_under_inserts() {
    let app = spawn_app().await;
    let t = app.signup().await;
    for i in 0..5 {
        let res = app.post("/v1/secret-keys", &t.token, json!({"name": format!("k{i}"), "mode": "test"})).await;
        assert_eq!(res.status, 201);
    }
    // 7 keys: 5 + the 2 from signup.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/secret-keys?limit=3&cursor={c}"),
            None => "/v1/secret-keys?limit=3".into(),
        };
        let res = app.get(&path, &t.token).await;
        assert_eq!(res.status, 200, "{}", res.text);
        pages += 1;
        if pages == 1 {
            // A key created while paging lands before the cursor and does not disturb it.
            app.post("/v1/secret-keys", &t.token, json!({"name": "late", "mode": "test"})).await;
        }
        for k in res.body["data"].as_array().unwrap() {
            seen.push(k["id"].as_str().unwrap().to_string());
        }
        if !res.body["has_more"].as_bool().unwrap() {
            assert!(res.body["next_cursor"].is_null());
            break;
        }
        cursor = Some(res.body["next_cursor"].as_str().unwrap().to_string());
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 7);
    let mut dedup = seen.clone();
    dedup.sort();
    dedup.dedup();
    assert_eq!(dedup.len(), 7, "no item twice");

    for (q, param) in
        [("limit=0", "limit"), ("limit=101", "limit"), ("cursor=garbage", "cursor"), ("colour=red", "colour")]
    {
        let res = app.get(&format!("/v1/secret-keys?{q}"), &t.token).await;
        assert_eq!((res.status, res.error_param()), (400, Some(param)), "{q}");
    }
}
