"""The course model's skills, one module each; ``engine.skills()`` orders them."""
