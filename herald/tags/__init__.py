"""Tags room. Owns `tags` and `contact_tags` (which contact carries which tag, who applied it and when).
Reads contacts; takes audiences as SQL selects of contact ids so it never needs the segments room."""
