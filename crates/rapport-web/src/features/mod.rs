//! One module per feature, each owning its pages and API routes.

pub mod account;
pub mod care;
pub mod dashboard;
pub mod demo_data;
pub mod feedback;
pub mod health;
pub mod home;
pub mod instruments;
pub mod matching;
pub mod mydata;
pub mod practice;
pub mod relationships;
