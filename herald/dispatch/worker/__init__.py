"""The worker, by role: its loop (`loop`: claim, prepare in a thread of its own, send, record, with two
batches out at most), its beat between batches (`beat`), sending a batch (`sending`: pacing, the calls),
recording the answers (`recording`), the answers it owes the world outside its campaigns (`answering`:
replies to people, the business's webhooks, alert notices), the senders it keeps per contact (`senders`)
and what it counts (`stats`)."""
