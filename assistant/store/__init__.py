"""Encrypted SQLCipher store: schema, accounts and keys, audit log, backup."""
