"""What the world outside calls without signing in: vendors' callbacks (`webhooks_api`, each verified on its
raw bytes), short links and open pixels (`links_page`), the unsubscribe page and one-click POST
(`unsubscribe_page`); the requests that arrive together written together (`batching`), and the floods
answered in front of the framework (`hot`)."""
