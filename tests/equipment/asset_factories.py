"""Devices of the register for the tests of the asset register: at a school of Aisne or
Val-d'Oise, in the stock of a département."""

from tests.factories import SchoolClassFactory, SchoolFactory
from tne.equipment.enums import AssetState

from .factories import AssetFactory


def at_school(school, state=AssetState.INSTALLED, **kwargs):
    return AssetFactory(school=school, state=state, **kwargs)


def in_stock(node, **kwargs):
    return AssetFactory(stock_node=node, state=AssetState.IN_STOCK, **kwargs)


def school_in(commune, **kwargs):
    return SchoolFactory(commune=commune, **kwargs)


def class_of(school, **kwargs):
    return SchoolClassFactory(school=school, **kwargs)
