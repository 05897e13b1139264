"""Test harness for authgate's black-box tests: processes, upstreams, raw HTTP and real password tools."""
