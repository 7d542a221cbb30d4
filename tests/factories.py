"""factory-boy factories for the models."""

import factory

from cameras.models import Camera
from eldership.models import Eldership


class EldershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Eldership
        django_get_or_create = ["code"]

    name = factory.Sequence(lambda n: f"Eldership {n}")
    code = factory.Sequence(lambda n: f"eldership-{n}")
    centre_latitude = "56.200000"
    centre_longitude = "24.750000"


class CameraFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Camera

    eldership = factory.SubFactory(EldershipFactory)
    name = factory.Sequence(lambda n: f"Camera {n}")
    place = "Bus stop"
    rtsp_url = factory.Sequence(lambda n: f"rtsp://127.0.0.1:{20000 + n}/live")
