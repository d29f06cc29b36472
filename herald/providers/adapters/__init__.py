"""One adapter per vendor protocol, each mapping its vendor's answers once to Accepted | Retryable |
Permanent: Aliyun SMS (`aliyun`), Twilio (`twilio`), WhatsApp Cloud (`whatsapp_cloud`), an in-house gateway
(`webhook`), mail servers (`smtp`, with the letters it builds in `letters` and their unsubscribe headers in
`unsubscribe`), and the file sink of dry runs and the demo (`file`); what the HTTP ones share is in `http`.
SMPP's adapter has a package of its own (`providers.smpp`)."""
