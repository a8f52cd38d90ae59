//! One module per subcommand.

pub mod assess;
pub mod backup;
pub mod bench;
pub mod change;
pub mod config;
pub mod demo;
pub mod directory;
pub mod instrument;
pub mod keys;
pub mod load;
pub mod matching;
pub mod practice;
pub mod serve;
pub mod user;
