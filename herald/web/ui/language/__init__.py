"""The UI's languages: the message catalogue and dates, numbers and money for the viewer's language
(`i18n`), the catalogue kept in step with the pages (`catalogue`), the services' refusals said again in
Chinese (`refusals`), and the words the pages show from the data (`words`)."""
