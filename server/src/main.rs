//! The `millwright` binary.

use std::process::ExitCode;

use clap::Parser;
use millwright::config::Config;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MILLWRIGHT_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .init();
    let mut args = std::env::args_os();
    if std::env::args_os().nth(1).is_some_and(|a| a == "replay") {
        args.next();
        let replay = millwright::replay::ReplayArgs::parse_from(args);
        return match millwright::replay::run(&replay) {
            Ok(line) => {
                println!("{line}");
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("millwright replay: {err}");
                ExitCode::from(2)
            }
        };
    }
    match millwright::run(Config::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            tracing::error!("{err}");
            eprintln!("millwright: {err}");
            ExitCode::FAILURE
        }
    }
}
