fn main() {
    let path = std::env::args().nth(1).unwrap();
    let content = std::fs::read_to_string(&path).unwrap();
    match cruscotto_import::parse_document(&path, &content, &Default::default()) {
        Ok(doc) => print!("{}", cruscotto_import::json::to_json(&doc)),
        Err(e) => println!("ERROR: {e}"),
    }
}
