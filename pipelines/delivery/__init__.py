"""Delivery of approved campaign items by email, and the feedback that comes back."""
