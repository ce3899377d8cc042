// Portal behaviour that must not be inline (Content Security Policy forbids inline script).
