"""The accounts API: who am I, second factor, step-up, sessions (auth.py); API clients; users."""
