"""The web layer every blueprint shares: rendering full pages or htmx fragments,
error pages, response headers, Jinja filters and form fields."""
