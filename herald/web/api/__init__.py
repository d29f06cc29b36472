"""The JSON API's routes, one module a room (`/api/v1/…`): each checks the key's permission (`web.auth`),
hands the request to its room's door in a unit of work, and answers in the shapes its schema names."""
