"""Content room. Owns `templates`. `render` (sandboxed Jinja2 with an allow-list checked at save time) and
`sms` (GSM-7/UCS-2 encoding and segment counts) are pure."""
