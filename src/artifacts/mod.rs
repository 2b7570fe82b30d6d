//! Workflow artifacts: downloaded zips and folders, and the GitHub Actions REST API.
