"""The feed's service document and `$metadata` (OData v4 CSDL XML), as Excel's and Power BI's
"Get data > OData feed" read them: one schema, an entity type per set with its key and typed
properties (Edm.Date, Edm.Int32, Edm.Decimal, Edm.String, Edm.Boolean), one entity container.
Source: OData v4.0 Part 3 (CSDL) and the JSON format, section 5 (service document)."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

from eet.feed.entities import CONTAINER, NAMESPACE, EntitySet


def metadata_xml(sets: tuple[EntitySet, ...]) -> str:
    """CSDL of the sets an actor may read (a viewer's document names no row-level set)."""
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<edmx:Edmx xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx" Version="4.0">',
           '<edmx:DataServices>',
           f'<Schema xmlns="http://docs.oasis-open.org/odata/ns/edm" Namespace={quoteattr(NAMESPACE)}>']
    for s in sets:
        out.append(f'<EntityType Name={quoteattr(s.type_name)}>')
        out.append('<Key>' + "".join(f'<PropertyRef Name={quoteattr(k)}/>' for k in s.key) + '</Key>')
        for p in s.properties:
            nullable = "" if p.nullable and p.name not in s.key else ' Nullable="false"'
            scale = ' Scale="variable"' if p.type == "Edm.Decimal" else ""
            out.append(f'<Property Name={quoteattr(p.name)} Type={quoteattr(p.type)}{nullable}{scale}/>')
        out.append('</EntityType>')
    out.append(f'<EntityContainer Name={quoteattr(CONTAINER)}>')
    for s in sets:
        out.append(f'<EntitySet Name={quoteattr(s.name)} EntityType={quoteattr(f"{NAMESPACE}.{s.type_name}")}/>')
    out += ['</EntityContainer>', '</Schema>', '</edmx:DataServices>', '</edmx:Edmx>']
    return "\n".join(out)


def service_document(root: str, sets: tuple[EntitySet, ...]) -> dict:
    """The service document (JSON): the context URL and one entry per entity set."""
    return {"@odata.context": f"{root}$metadata",
            "value": [{"name": s.name, "kind": "EntitySet", "url": s.name} for s in sets]}
