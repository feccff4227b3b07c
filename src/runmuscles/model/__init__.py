"""The runner model: skeleton, muscles and tendons, contact, geometry, metabolics (SI units)."""
