# Examples for venowatch.yml beside it: `cd .semgrep && semgrep --test .` checks that each rule
# fires on the line after each `ruleid` comment and on no line after an `ok` comment.
from django.db import connection
from django.utils.safestring import mark_safe


def sql(name):
    with connection.cursor() as c:
        # ruleid: sql-built-by-string-formatting
        c.execute(f"SELECT * FROM t WHERE name = '{name}'")
        # ruleid: sql-built-by-string-formatting
        c.execute("SELECT * FROM t WHERE name = '%s'" % name)
        # ruleid: sql-built-by-string-formatting
        c.execute("SELECT * FROM t WHERE name = '{}'".format(name))
        query = f"SELECT * FROM t WHERE name = '{name}'"
        # ruleid: sql-built-by-string-formatting
        c.execute(query)
        # ok: sql-built-by-string-formatting
        c.execute("SELECT * FROM t WHERE name = %s", [name])


def safe(name):
    # ruleid: mark-safe-on-data
    a = mark_safe(name)
    # ruleid: mark-safe-on-data
    b = mark_safe(f"<b>{name}</b>")
    # ok: mark-safe-on-data
    c = mark_safe("<b>bold</b>")
    return a, b, c


def view(request):
    # ruleid: print-of-request-data
    print(request.POST)
    # ruleid: print-of-request-data
    print("body", request.body)
    # ruleid: print-of-request-data
    print(request.headers.get("Authorization"))
    # ok: print-of-request-data
    print("started")
