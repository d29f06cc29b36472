"""Herald: compliance-first messaging over WhatsApp, SMS and email."""
