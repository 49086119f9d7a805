"""The app's machinery, shared by every page: the view's state in the URL, the caches, the keys and taps, the
browser's size, the language, links between pages, roles and guards, user text, the model choice, charts."""
