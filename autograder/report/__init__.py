"""Writers: each takes Results and produces one format. Results know nothing of them."""
