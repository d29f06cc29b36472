"""What vendors send back, read — all pure: whether a callback is genuine (`callbacks`: signatures on the
raw bytes), status callbacks as delivery reports (`receipts`), messages people sent in (`inbound`), mail
servers' bounces and complaints (`bounces`), and what Meta says of a WhatsApp account itself (`notices`)."""
