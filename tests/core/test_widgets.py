"""The shared form widgets."""

from django import forms
from django.test.html import parse_html

from tne.core.widgets import OneLoopSelect


def test_the_one_loop_select_writes_what_django_s_select_writes():
    choices = [("", "Toutes"), ("02408", "Laon"), ("02691", "Saint-Quentin <&>")]
    attrs = {"id": "id_commune", "class": "fr-select"}

    ours = OneLoopSelect(choices=choices).render("commune", "02691", attrs=attrs)
    django = forms.Select(choices=choices).render("commune", "02691", attrs=attrs)

    assert parse_html(ours) == parse_html(django)
    assert '<option value="02691" selected>Saint-Quentin &lt;&amp;&gt;</option>' in ours
