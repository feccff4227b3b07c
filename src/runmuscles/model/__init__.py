"""The runner model: skeleton, contact, muscles and their cited parameter files (``params/``)."""
