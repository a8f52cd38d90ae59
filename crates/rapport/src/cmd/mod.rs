//! One module per subcommand.

pub mod assess;
pub mod config;
pub mod demo;
pub mod serve;
pub mod user;
