//! Use cases: the jobs an analyst runs, each a typed request in and a typed report out. The
//! command line and the web app both call these (one rule per concept); they only turn flags or
//! forms into the request and the report into text or HTML.

pub mod agreement;
pub mod codebook;
pub mod export;
pub mod flags;
pub mod import;
pub mod qda_import;
pub mod report;
pub mod review;
pub mod sample;
pub mod search;
pub mod team;
pub mod themes;
pub mod trends;
