"""gunicorn settings for the tracker.

    gunicorn -c deploy/gunicorn.conf.py 'run:create_app()'

gunicorn names itself in a Server header on every response and has no setting
to stop it; the name it uses is a module constant, replaced here so responses
do not announce the server software (issue 8 §3).
"""

from gunicorn.http import wsgi

wsgi.SERVER = "tracker"
