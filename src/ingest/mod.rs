//! Stage: ingest. Files in (CSV, XLSX; long or wide), validated `Answer`s out — or every problem
//! found, with file, row and column, and nothing at all written.

pub mod reader;
pub mod table;
pub mod wide;
