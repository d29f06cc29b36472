"""SMPP 3.4: the protocol data units and receipts (`pdu`, pure), texts as GSM-7 or UCS-2 parts
(`parts`, pure), one bound session over asyncio (`link`) and the provider (`adapter`)."""
