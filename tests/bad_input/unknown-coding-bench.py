# -*- coding: no-such-codec -*-
def main():
    return 1
