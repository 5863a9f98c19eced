"""The data feed for Excel and Power BI: OData v4 on /odata/ (spec/interfaces.md, "Data feed").

`service.handle` answers a request (app.py's route hands it over); `entities` names the sets and
their typed properties, `csdl` writes the service document and `$metadata`, `options` applies the
query options, and `rows` reads every row from the functions of the pages and `report`.
"""
