"""The review meeting: the figures at a meeting date beside a comparison date (`comparison`), the
same as tables (`tables`), the register of meetings and decisions (`decisions`), and the meeting
pack sent round (`pack`)."""
