//! Security mechanisms shared by every feature: passwords, secrets, rate limits, CSRF and headers.

pub mod csrf;
pub mod headers;
pub mod password;
pub mod ratelimit;
pub mod secret;
