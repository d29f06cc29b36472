"""Phone numbers and e-mail addresses: normalized as the phone library reads them (`normalize`, with its
fast paths `plainparse`, `numbertype`, `prefixes`), countries read by name (`countries`) and mail domains
checked (`mx`). Pure but `mx`; nothing here writes."""
