"""Personal data sealed at rest: the cipher, the key file and keyed hashes (`cipher`, pure); the columns
models register and the ORM events that open and seal them (`columns`); everything sealed again after a
key rotation (`resealing`)."""
