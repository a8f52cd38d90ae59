//! One module per subcommand.

pub mod assess;
pub mod backup;
pub mod change;
pub mod config;
pub mod demo;
pub mod instrument;
pub mod serve;
pub mod user;
