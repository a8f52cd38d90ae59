//! A therapy relationship's life around the sessions: booking, cancelling instead of ghosting,
//! freed slots going to people who wait, ending respectfully, and the calendar.
//!
//! Pure rules only: callers pass the current time (Unix milliseconds) in, so every rule here is
//! tested without a clock, and the web app, the worker and the CLI decide the same way.

pub mod caps;
pub mod clock;
pub mod ending;
pub mod ics;
pub mod request;
pub mod schedule;
pub mod stage;
pub mod waitlist;

pub use caps::{BookingCaps, CapRefusal, Standing};
pub use ending::{EndingChoice, Farewell};
pub use schedule::{Kind, Notice, Schedule, WeeklySlot};
pub use stage::{EndedBy, Stage, Step};
