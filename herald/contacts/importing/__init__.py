"""Reading contacts files and lists in: files of any encoding and spreadsheets (`sources`, `encoding`,
`workbook`), rows turned into contacts (`importer`, their consent columns in `consent_cells`), written in
batches and de-duplicated within a file (`batches`), parsed on every core (`parallel`), API items
(`items`), the import's report (`report`, `problems`) and suppression lists (`lists`)."""
