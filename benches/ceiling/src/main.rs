//! Serves one file's bytes at every path, as `application/json`: what a mock that does no
//! work at all would cost. `benches/load.sh` measures tooken-mock's page against it.
//!
//! Usage: `ceiling FILE PORT`.

use actix_web::{web, App, HttpResponse, HttpServer};

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(file), Some(port)) = (args.next(), args.next()) else {
        eprintln!("usage: ceiling FILE PORT");
        std::process::exit(2);
    };
    let body = web::Bytes::from(std::fs::read(file)?);
    let port: u16 = port.parse().map_err(std::io::Error::other)?;
    HttpServer::new(move || {
        let body = body.clone();
        App::new().default_service(web::to(move || {
            let body = body.clone();
            async move {
                HttpResponse::Ok()
                    .content_type("application/json")
                    .body(body)
            }
        }))
    })
    .bind(("127.0.0.1", port))?
    .run()
    .await
}
