"""What every app shares and that imports no app of the portal: the data-version cache, form rendering, error
pages, the spreadsheet import wizard and writer, date parsing, Vietnamese collation (docs/architecture.md)."""
