"""Merchant users: who a signed-in user is (from the token's claims), their role and the
permissions an admin granted them (the config table), and the user pool that signs them in."""
