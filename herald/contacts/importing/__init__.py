"""Reading contacts files and lists in: files of any encoding and spreadsheets (`sources`, `encoding`,
`workbook`), rows turned into contacts (`importer`), written in batches (`batches`), parsed on every core
(`parallel`), de-duplicated within a file (`first_rows`), API items (`items`), the import's report (`report`,
`problems`) and suppression lists (`lists`)."""
