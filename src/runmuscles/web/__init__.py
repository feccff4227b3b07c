"""The local web app: upload runs, view their reports, weekly load and ACWR, explore the table.

``runmuscles serve`` starts it; :func:`runmuscles.web.app.create_app` builds it (FastAPI, the
``web`` extra). Pages and API routes are listed in :mod:`runmuscles.web.app`.
"""

from runmuscles.web.app import MAX_UPLOAD_BYTES, create_app

__all__ = ["MAX_UPLOAD_BYTES", "create_app"]
