"""What the domain packages share, below all of them: the clock, the vocabularies
(funnel stages) and the limits. Imports nothing of the app."""
