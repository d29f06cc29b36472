"""Events room. Owns `events`: what contacts did (a purchase, a page view, an abandoned cart, an
inquiry), with its properties and when, each stored once however often it is sent (its event id).
Reads contacts to find who did it, and creates them through the contacts room when told to."""
