//! Use cases: what an analyst asks of a workspace, as typed requests and typed reports. The
//! command line and the web app turn flags and forms into the same requests, so no rule exists
//! twice (issue 12).

pub mod agreement;
pub mod codebook;
pub mod review;
pub mod team;
