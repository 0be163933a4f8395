from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "venowatch.web"
    label = "web"
    verbose_name = "Web pages"

    def ready(self) -> None:
        # Every sign-in, however it happens (the sign-in page, the admin's), starts the clocks
        # of its session's idle and absolute limits.
        from django.contrib.auth.signals import user_logged_in

        from venowatch.web.signin_middleware import start_session_clock

        user_logged_in.connect(start_session_clock, dispatch_uid="venowatch-session-clock")
